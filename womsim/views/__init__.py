"""womsim.views."""
