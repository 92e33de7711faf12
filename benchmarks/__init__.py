"""The Streamlit apps ``python -m geo bench`` measures beside the dashboard."""
