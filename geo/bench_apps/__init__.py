"""Baseline Streamlit apps the benchmark compares the dashboard with (run by ``streamlit run``)."""
