"""HTTP clients for the services and third-party APIs the orders service depends on."""
