"""HMS Desktop: a clinic desktop application on plain CSV files."""
