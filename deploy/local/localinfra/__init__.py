"""Run Apache Kafka (KRaft) and FerretDB on one machine without Docker.

Used by `make setup/run/infra-up` (through `python -m localinfra`) and by the test
plugin, which starts its own pair on free loopback ports for each test session.
"""
