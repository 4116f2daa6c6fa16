"""Admin for coordination meetings."""
