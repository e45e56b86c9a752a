"""Custom actions: each goes tracker -> knowledge query -> dispatcher, nothing more."""
