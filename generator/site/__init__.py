"""Floor 2, the site: valid records linked into one graph, with the build date, the portal's
settings and the addresses of its pages and files."""
