"""What runs the service: launchers, channel and store settings."""
