"""Outsourcing advisor domain logic: taxonomy, extraction, rules and knowledge (no Rasa imports)."""
