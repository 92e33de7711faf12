"""Streamlit glue shared by the dashboard's pages; the logic lives in :mod:`geo`."""
