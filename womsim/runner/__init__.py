"""womsim.runner."""
