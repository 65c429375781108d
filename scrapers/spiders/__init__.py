"""One spider module per feed."""
