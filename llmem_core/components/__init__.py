"""One module per memory part (one bar segment each): transformer body weights, lm_head,
optimizer, activations, transient buffers, runtime. Each exposes pure functions per profile."""
