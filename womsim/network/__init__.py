"""womsim.network."""
