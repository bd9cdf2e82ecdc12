"""Runtime profiles: each composes the components into per-phase memory for one request."""
