"""The llmem dashboard (Streamlit): widgets → validated inputs → llmem_core → charts and tables."""
