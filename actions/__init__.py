"""Rasa custom actions of the outsourcing advisor: thin wrappers around `advisor`."""

from advisor.reading import warm_up

# The action server imports this package once when it starts: the reader's models load then,
# not during the first visitor's turn.
warm_up()
