"""womsim.app."""
