"""Connectors to managed services, each a small protocol with production and local clients."""
