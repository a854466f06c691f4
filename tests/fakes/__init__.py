"""Shared test fakes: real servers on loopback that speak the protocols Clapboard talks to."""
