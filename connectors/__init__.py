"""Connectors to managed services: each a small protocol with a production and a local implementation."""
