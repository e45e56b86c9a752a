"""Understanding what a message is about, beside Rasa's own classifier."""
