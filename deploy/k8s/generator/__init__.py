"""Writes the repetitive part of deploy/k8s/base from one table (`model.SERVICES`).

Eight Deployments, their Services, PDBs, HPAs, ServiceAccounts, NetworkPolicies, a
KafkaTopic per topic of the event registry and a KafkaUser per service with its ACLs would
be hundreds of near-identical lines by hand, and would drift. `python deploy/k8s/generate.py`
rewrites `base/generated/`; tests/deploy fails when the committed files differ from what
the generator writes, so a new topic or service cannot be forgotten.
"""
