"""TLS scan of UMBRA's built-in listener with sslyze (issue 14 §6).

Usage (through sslyze_check.sh, which provides the pinned venv):
    python sslyze_check.py BINARY

Starts `BINARY serve` on 127.0.0.1 twice -- once with the certificate UMBRA makes itself (its
local CA, the default) and once with an operator certificate made here -- and scans each with
sslyze. A run passes only when:

- sslyze's own Mozilla "intermediate" checker (profile 5.7, shipped with sslyze) finds nothing:
  protocol versions, TLS 1.2 suites, TLS 1.3 suites, key-exchange groups and sizes, the
  certificate's key type and size, signature and lifespan, and the known TLS vulnerabilities
  (compression, Heartbleed, CCS injection, ROBOT, insecure renegotiation, no fallback SCSV, no
  extended master secret). Nothing is excluded: the checker fails any certificate that no trust
  store of sslyze's verifies ("certificate_path_validation"), which a private CA never passes
  against the public stores, so sslyze is given the CA a device would install (the local CA's
  ca.pem, or the test operator's root) as an extra trust store, and the served chain must
  verify against it, for the name scanned (localhost), under cryptography's web-PKI rules;
- SSLv2, SSLv3, TLS 1.0 and TLS 1.1 are refused and TLS 1.2 and 1.3 accepted;
- every accepted suite is forward-secret (ECDHE, or TLS 1.3) and AEAD with a key of at least
  128 bits; no NULL/anonymous/export/RC4/DES/3DES/CBC/static-RSA suite;
- client-initiated renegotiation is refused;
- every certificate served, and the CA trusted, has a positive serial number (RFC 5280);
- the Strict-Transport-Security header is sent with max-age of at least the profile's
  hsts_min_age (two years). sslyze reads the header but leaves this check out of its checker,
  so it is made here.

Exit status 0 when both runs pass, 1 when a check fails, 2 when a run could not be made (the
binary did not start, sslyze could not connect). The last line is "sslyze: N passed, N failed".
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sslyze import (
    CertificateInfoExtraArgument,
    ScanCommand,
    ScanCommandAttemptStatusEnum,
    ScanCommandsExtraArguments,
    Scanner,
    ServerNetworkConfiguration,
    ServerNetworkLocation,
    ServerScanRequest,
    ServerScanStatusEnum,
)
from sslyze.mozilla_tls_profile.tls_config_checker import (
    SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER,
    MozillaTlsConfiguration,
    ServerNotCompliantWithTlsConfiguration,
    TlsConfigurationEnum,
    check_server_against_tls_configuration,
)

# sslyze's bundled public trust stores (Apple, Android, Microsoft, Mozilla, Java) hold old
# roots with a non-positive serial number, and cryptography warns once on loading them. The
# certificates of the runs are checked for this explicitly in judge(), so nothing is lost.
warnings.filterwarnings("ignore", message="Parsed a serial number which wasn't positive")

# The name sslyze connects to (SNI, Host header, hostname check); both certificates cover it.
HOST = "localhost"
# How long `umbra serve` may take to print its listening line (a debug build on a busy 2-core
# machine runs its migrations first).
START_TIMEOUT_S = 120

PROTOCOLS = [
    ("SSLv2", "ssl_2_0_cipher_suites", False),
    ("SSLv3", "ssl_3_0_cipher_suites", False),
    ("TLS 1.0", "tls_1_0_cipher_suites", False),
    ("TLS 1.1", "tls_1_1_cipher_suites", False),
    ("TLS 1.2", "tls_1_2_cipher_suites", True),
    ("TLS 1.3", "tls_1_3_cipher_suites", True),
]
# Fragments of IANA suite names that mark a suite as weak whatever Mozilla's list says.
WEAK_FRAGMENTS = ["NULL", "anon", "EXPORT", "RC4", "_DES_", "3DES", "CBC", "MD5", "PSK", "SRP"]


class RunFailed(Exception):
    """The run could not be made at all (as opposed to a failed check)."""


# --- the operator certificate -------------------------------------------------------------


def make_operator_certificate(folder: Path) -> tuple[Path, Path, Path]:
    """A root CA, an intermediate and an RSA-2048 server certificate for localhost and
    127.0.0.1, as an operator's CA would issue them. cert.pem holds the leaf and the
    intermediate (a "full chain" file), so the scan also proves that UMBRA serves the whole
    chain from the file: sslyze trusts only the root, which UMBRA never sends."""
    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UMBRA TLS test"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def issue(subject, subject_key, issuer, issuer_key, days, ca, path_length=None):
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(subject_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now - datetime.timedelta(hours=1) + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
            )
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=True,
                              crl_sign=True, encipher_only=False, decipher_only=False),
                critical=True,
            )
        else:
            builder = (
                builder.add_extension(
                    x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                  data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                  crl_sign=False, encipher_only=False, decipher_only=False),
                    critical=True,
                )
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(
                    x509.SubjectAlternativeName(
                        [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                    ),
                    critical=False,
                )
            )
        return builder.sign(issuer_key, hashes.SHA256())

    def key():
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    root_key, intermediate_key, leaf_key = key(), key(), key()
    root = issue(name("UMBRA TLS test root"), root_key, name("UMBRA TLS test root"), root_key, 3650, True, 1)
    intermediate = issue(name("UMBRA TLS test intermediate"), intermediate_key, root.subject, root_key,
                         1825, True, 0)
    # 90 days: the lifespan Mozilla recommends (its maximum for "intermediate" is 366).
    leaf = issue(name(HOST), leaf_key, intermediate.subject, intermediate_key, 90, False)

    pem = serialization.Encoding.PEM
    ca_file, cert_file, key_file = folder / "root.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(root.public_bytes(pem))
    cert_file.write_bytes(leaf.public_bytes(pem) + intermediate.public_bytes(pem))
    key_file.write_bytes(
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_file.chmod(0o600)
    return ca_file, cert_file, key_file


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`BINARY serve` on 127.0.0.1 with a data folder of its own; stopped with SIGTERM."""

    def __init__(self, binary: str, folder: Path, extra_args: list[str]):
        self.port = free_port()
        config = folder / "umbra.toml"
        # An empty config file, so that a /etc/umbra/umbra.toml on this machine is not read:
        # the scan is of UMBRA's defaults.
        config.write_text("")
        # UMBRA_* variables (a test database URL, say) would change what is served.
        env = {k: v for k, v in os.environ.items() if not k.startswith("UMBRA_")}
        env["RUST_LOG"] = "warn"
        self.log = folder / "serve.log"
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--config", str(config),
             "--data-dir", str(folder / "data"), *extra_args],
            stdout=subprocess.PIPE, stderr=self.log.open("wb"), env=env, text=True,
        )
        self.url = self._await_listening()

    def _await_listening(self) -> str:
        found: list[str] = []
        done = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                if not found and line.startswith("UMBRA is listening on "):
                    found.append(line.removeprefix("UMBRA is listening on ").strip())
                    done.set()
            done.set()  # stdout closed: the process ended

        threading.Thread(target=read, daemon=True).start()
        if not done.wait(START_TIMEOUT_S) or not found:
            self.stop()
            raise RunFailed(f"`umbra serve` printed no listening line within {START_TIMEOUT_S} s; "
                            f"its log:\n{self.log.read_text(errors='replace')}")
        return found[0]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- the scan -----------------------------------------------------------------------------


def scan(port: int, trusted_ca: Path):
    commands = set(SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER) | {ScanCommand.HTTP_HEADERS}
    request = ServerScanRequest(
        server_location=ServerNetworkLocation(hostname=HOST, port=port, ip_address="127.0.0.1"),
        network_configuration=ServerNetworkConfiguration(tls_server_name_indication=HOST),
        scan_commands=commands,
        scan_commands_extra_arguments=ScanCommandsExtraArguments(
            certificate_info=CertificateInfoExtraArgument(custom_ca_file=trusted_ca)
        ),
    )
    scanner = Scanner()
    scanner.queue_scans([request])
    result = next(iter(scanner.get_results()))
    if result.scan_status != ServerScanStatusEnum.COMPLETED:
        raise RunFailed(f"sslyze could not scan 127.0.0.1:{port}: {result.connectivity_error_trace}")
    for command in commands:
        attempt = getattr(result.scan_result, command.value)
        if attempt.status != ScanCommandAttemptStatusEnum.COMPLETED:
            trace = "".join(attempt.error_trace.format()) if attempt.error_trace else ""
            raise RunFailed(f"sslyze's {command.value} did not complete ({attempt.error_reason}):\n{trace}")
    return result


def judge(result, trusted_ca: Path) -> tuple[list[str], list[str]]:
    """What the scan showed (lines to print) and what is wrong with it (empty when it passes)."""
    shown: list[str] = []
    issues: list[str] = []
    r = result.scan_result
    mozilla = MozillaTlsConfiguration.get(TlsConfigurationEnum.MOZILLA_INTERMEDIATE)

    try:
        check_server_against_tls_configuration(result, mozilla)
        shown.append("Mozilla intermediate (profile 5.7): compliant")
    except ServerNotCompliantWithTlsConfiguration as e:
        shown.append("Mozilla intermediate (profile 5.7): NOT compliant")
        issues += [f"mozilla {key}: {text}" for key, text in sorted(e.issues.items())]

    suites: list[str] = []
    for label, field, wanted in PROTOCOLS:
        attempt = getattr(r, field).result
        accepted = attempt.is_tls_version_supported
        shown.append(f"{label:<8} {'accepted' if accepted else 'refused'}")
        if accepted != wanted:
            issues.append(f"{label} is {'accepted' if accepted else 'refused'}, must be "
                          f"{'accepted' if wanted else 'refused'}")
        for suite in attempt.accepted_cipher_suites:
            cipher = suite.cipher_suite
            suites.append(f"{label}: {cipher.name} ({cipher.key_size} bits"
                          + (f", {suite.ephemeral_key.type_name} {suite.ephemeral_key.size}"
                             if suite.ephemeral_key else "") + ")")
            forward_secret = label == "TLS 1.3" or cipher.name.startswith("TLS_ECDHE_")
            aead = any(m in cipher.name for m in ("_GCM_", "CHACHA20_POLY1305"))
            weak = [f for f in WEAK_FRAGMENTS if f in cipher.name]
            if not forward_secret or not aead or weak or cipher.key_size < 128:
                issues.append(f"weak suite accepted on {label}: {cipher.name}")
    shown += [f"  {s}" for s in suites]

    curves = r.elliptic_curves.result
    shown.append("groups: " + ", ".join(c.name for c in curves.supported_curves or []))

    if r.session_renegotiation.result.is_vulnerable_to_client_renegotiation_dos:
        issues.append("client-initiated renegotiation is accepted")

    certinfo = r.certificate_info.result
    trusted = x509.load_pem_x509_certificates(trusted_ca.read_bytes())
    for deployment in certinfo.certificate_deployments:
        leaf = deployment.received_certificate_chain[0]
        key = leaf.public_key()
        key_text = (f"EC {key.curve.name}" if hasattr(key, "curve") else f"RSA {key.key_size}")
        life = leaf.not_valid_after_utc - leaf.not_valid_before_utc
        verified = "verified" if deployment.verified_certificate_chain else "NOT verified"
        shown.append(f"certificate: {leaf.subject.rfc4514_string()}, {key_text}, "
                     f"{leaf.signature_algorithm_oid._name}, {life.days} days, chain of "
                     f"{len(deployment.received_certificate_chain)} sent, {verified} against the given CA")
        # RFC 5280 §4.1.2.2: positive serial numbers (the warning silenced above would
        # otherwise be the only sign of a certificate of UMBRA's breaking the rule).
        for cert in [*deployment.received_certificate_chain, *trusted]:
            if cert.serial_number <= 0:
                issues.append(f"certificate {cert.subject.rfc4514_string()} has a non-positive serial number")
        # The path validation (cryptography's web-PKI verifier) includes the name check: a
        # chain that does not cover HOST is not verified, and the Mozilla checker fails it.
        if not deployment.verified_certificate_chain:
            errors = {v.validation_error for v in deployment.path_validation_results if v.validation_error}
            shown += [f"  path validation: {error}" for error in sorted(errors)]

    headers = r.http_headers.result
    hsts = headers.strict_transport_security_header
    if headers.http_error_trace is not None:
        issues.append("the HTTP request for the headers failed: "
                      + "".join(headers.http_error_trace.format_exception_only()).strip())
    if hsts is None:
        shown.append("HSTS: absent")
        issues.append("no Strict-Transport-Security header")
    else:
        shown.append(f"HSTS: max-age={hsts.max_age}"
                     + ("; includeSubDomains" if hsts.include_subdomains else "")
                     + ("; preload" if hsts.preload else ""))
        if hsts.max_age is None or hsts.max_age < mozilla.hsts_min_age:
            issues.append(f"HSTS max-age {hsts.max_age} is below Mozilla's {mozilla.hsts_min_age}")
    return shown, issues


def run(label: str, binary: str, folder: Path, extra_args: list[str], trusted_ca) -> bool:
    print(f"== {label}", flush=True)
    started = time.monotonic()
    server = Server(binary, folder, extra_args)
    try:
        ca = trusted_ca() if callable(trusted_ca) else trusted_ca
        result = scan(server.port, ca)
    finally:
        server.stop()
    shown, issues = judge(result, ca)
    for line in shown:
        print(f"   {line}")
    elapsed = time.monotonic() - started
    if issues:
        for issue in issues:
            print(f"   FAIL {issue}")
        print(f"   verdict: FAIL ({len(issues)} issue(s), {elapsed:.0f} s)", flush=True)
        return False
    print(f"   verdict: PASS ({elapsed:.0f} s)", flush=True)
    return True


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = str(Path(sys.argv[1]).resolve())
    passed = failed = 0
    try:
        with tempfile.TemporaryDirectory(prefix="umbra-sslyze-") as tmp:
            local = Path(tmp) / "local-ca"
            local.mkdir()
            operator = Path(tmp) / "operator"
            operator.mkdir()
            ca_file, cert_file, key_file = make_operator_certificate(operator)
            runs = [
                # The default: a certificate from UMBRA's local CA, trusted through the CA
                # certificate UMBRA writes for devices to install (made on start, hence lazy).
                ("local CA certificate (default)", local, [], lambda: local / "data" / "tls" / "ca.pem"),
                ("operator certificate (--tls-cert/--tls-key, RSA 2048 with intermediate)", operator,
                 ["--tls-cert", str(cert_file), "--tls-key", str(key_file)], ca_file),
            ]
            for label, folder, extra, ca in runs:
                if run(label, binary, folder, extra, ca):
                    passed += 1
                else:
                    failed += 1
    except RunFailed as e:
        print(f"sslyze check could not run: {e}", file=sys.stderr)
        print(f"sslyze: {passed} passed, {failed + 1} failed")
        return 2
    verdict = "PASS: Mozilla intermediate compliant" if failed == 0 else "FAIL"
    print(f"sslyze verdict: {verdict} ({passed} of {passed + failed} configurations)")
    print(f"sslyze: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
