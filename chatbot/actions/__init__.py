"""Custom actions of the Chuo City assistant (rasa-sdk): evacuation sites, contacts, fallback."""
