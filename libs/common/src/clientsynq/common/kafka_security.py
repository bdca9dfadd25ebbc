"""How a service authenticates to Kafka: plaintext in development, SASL (SCRAM) over TLS in
production, where each service is a KafkaUser whose ACLs name exactly its topics.

Read with the other Kafka settings (unprefixed names, one per deployment Secret/ConfigMap):
KAFKA_SECURITY_PROTOCOL (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), KAFKA_SASL_MECHANISM
(SCRAM-SHA-512 by default), KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SSL_CAFILE
(the cluster CA, PEM). No kafka-python import here: settings stay cheap to load.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clientsynq.common.config import EnvReader

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")


@dataclass(frozen=True)
class KafkaSecurity:
    protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None

    @classmethod
    def from_reader(cls, env: EnvReader) -> KafkaSecurity:
        protocol = env.choice("KAFKA_SECURITY_PROTOCOL", PROTOCOLS, "PLAINTEXT", ignore_case=True)
        cafile = env.optional("KAFKA_SSL_CAFILE") if "SSL" in protocol else None
        if not protocol.startswith("SASL_"):
            return cls(protocol=protocol, ssl_cafile=cafile)
        return cls(protocol=protocol,
                   sasl_mechanism=env.choice("KAFKA_SASL_MECHANISM", MECHANISMS, "SCRAM-SHA-512",
                                             ignore_case=True),
                   sasl_username=env.required("KAFKA_SASL_USERNAME"),
                   sasl_password=env.required("KAFKA_SASL_PASSWORD", secret=True),
                   ssl_cafile=cafile)

    def client_options(self) -> dict[str, str]:
        """kafka-python keyword arguments for every client (producer, consumer, admin)."""
        if self.protocol == "PLAINTEXT":
            return {}
        options = {"security_protocol": self.protocol}
        if self.ssl_cafile:
            options["ssl_cafile"] = self.ssl_cafile
        if self.sasl_mechanism:
            options.update(sasl_mechanism=self.sasl_mechanism,
                           sasl_plain_username=self.sasl_username or "",
                           sasl_plain_password=self.sasl_password or "")
        return options
