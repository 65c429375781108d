"""Feed parsers: one module per upstream format, each turning raw bytes into validated records."""
