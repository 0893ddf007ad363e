package io.graft.cluster.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A throwaway certificate authority built with the JDK alone (EC P-256 keys, ECDSA with SHA-256):
 * it issues member certificates for Neo4j's cluster SSL policy ({@code dbms.ssl.policy.cluster.*})
 * and lays them out the way the policy expects. For local clusters and tests: its key lives in
 * memory and is gone with the process; production clusters use the operator's own PKI.
 *
 * <p>Member certificates carry the subject alternative names they are reached by (so {@code
 * verify_hostname=true} works) and both TLS usages (each member is a TLS server for the
 * connections it accepts and a TLS client for those it opens).
 */
public final class CertificateAuthority {
  private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
  private static final String COMMON_NAME = "2.5.4.3";
  private static final String ORGANIZATION = "2.5.4.10";
  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final String KEY_USAGE = "2.5.29.15";
  private static final String SUBJECT_ALT_NAME = "2.5.29.17";
  private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A key pair and its certificate. */
  public record Issued(PrivateKey privateKey, X509Certificate certificate) {}

  private final String name;
  private final KeyPair keys;
  private final X509Certificate certificate;

  private CertificateAuthority(String name, KeyPair keys, X509Certificate certificate) {
    this.name = name;
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A new self-signed CA named {@code name}, valid from an hour ago for {@code validity}. */
  public static CertificateAuthority create(String name, Duration validity) {
    KeyPair keys = newKeyPair();
    byte[] dn = distinguishedName(name);
    byte[] extensions = Der.sequence(
        extension(BASIC_CONSTRAINTS, true, Der.sequence(Der.bool(true))),
        // keyCertSign (bit 5) and cRLSign (bit 6): 0b0000_0110, one unused bit.
        extension(KEY_USAGE, true, new byte[] {0x03, 0x02, 0x01, 0x06}));
    return new CertificateAuthority(name, keys,
        sign(dn, dn, keys.getPublic().getEncoded(), extensions, validity, keys.getPrivate()));
  }

  /**
   * The CA written earlier by {@link #writeCertificate} and {@link #writePrivateKey} (PEM
   * certificate, unencrypted PKCS#8 EC key); its name is the file name of the certificate.
   */
  public static CertificateAuthority load(Path certificateFile, Path privateKeyFile) {
    try {
      X509Certificate cert;
      try (var in = Files.newInputStream(certificateFile)) {
        cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      String pem = Files.readString(privateKeyFile, StandardCharsets.US_ASCII)
          .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      PrivateKey key = java.security.KeyFactory.getInstance("EC").generatePrivate(
          new java.security.spec.PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
      String file = certificateFile.getFileName().toString();
      String name = file.endsWith(".crt") ? file.substring(0, file.length() - 4) : file;
      return new CertificateAuthority(name, new KeyPair(cert.getPublicKey(), key), cert);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the CA from " + certificateFile + " and "
          + privateKeyFile + ": " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  public PrivateKey privateKey() {
    return keys.getPrivate();
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * A member certificate for {@code commonName}, signed by this CA, naming every host in {@code
   * hosts} (IP literals become iPAddress names, anything else a dNSName).
   */
  public Issued issue(String commonName, List<String> hosts, Duration validity) {
    KeyPair member = newKeyPair();
    List<byte[]> names = new ArrayList<>();
    for (String host : hosts) {
      names.add(isIpLiteral(host)
          ? Der.implicitPrimitive(7, ipBytes(host))
          : Der.implicitPrimitive(2, host.getBytes(StandardCharsets.US_ASCII)));
    }
    byte[] extensions = Der.sequence(
        extension(BASIC_CONSTRAINTS, true, Der.sequence()),
        // digitalSignature (bit 0): 0b1000_0000, seven unused bits.
        extension(KEY_USAGE, true, new byte[] {0x03, 0x02, 0x07, (byte) 0x80}),
        extension(EXTENDED_KEY_USAGE, false,
            Der.sequence(Der.oid(SERVER_AUTH), Der.oid(CLIENT_AUTH))),
        extension(SUBJECT_ALT_NAME, false, Der.sequence(names.toArray(new byte[0][]))));
    // The issuer is the CA certificate's own subject, byte for byte: a CA loaded from files
    // (ClusterCertificates, ./graft cluster add) is named after its file, not its subject, and a
    // certificate naming another issuer does not chain (peers refuse it as untrusted).
    X509Certificate cert = sign(distinguishedName(commonName),
        certificate.getSubjectX500Principal().getEncoded(),
        member.getPublic().getEncoded(), extensions, validity, keys.getPrivate());
    return new Issued(member.getPrivate(), cert);
  }

  /**
   * Writes one member's cluster policy directory as Neo4j's defaults name it: {@code
   * private.key} (PKCS#8 PEM), {@code public.crt} (the member's certificate), {@code
   * trusted/<ca>.crt} (this CA) and an empty {@code revoked/}.
   */
  public void writePolicyDirectory(Path base, Issued member) {
    try {
      Files.createDirectories(base.resolve("trusted"));
      Files.createDirectories(base.resolve("revoked"));
      writePrivateKey(base.resolve("private.key"), member.privateKey());
      writeCertificate(base.resolve("public.crt"), member.certificate());
      writeCertificate(base.resolve("trusted").resolve(name + ".crt"), certificate);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the certificates into " + base, e);
    }
  }

  public static void writeCertificate(Path file, X509Certificate cert) throws IOException {
    try {
      Files.writeString(file, pem("CERTIFICATE", cert.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Unencrypted PKCS#8, owner-readable only where the file system has POSIX permissions. */
  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    Files.writeString(file, pem("PRIVATE KEY", key.getEncoded()));
    try {
      Files.setPosixFilePermissions(file,
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: keep the default permissions
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static X509Certificate sign(byte[] subject, byte[] issuer, byte[] subjectPublicKeyInfo,
      byte[] extensions, Duration validity, PrivateKey signer) {
    ZonedDateTime now = ZonedDateTime.now();
    byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256));
    byte[] tbs = Der.sequence(
        Der.explicit(0, Der.integer(BigInteger.TWO)), // v3
        Der.integer(new BigInteger(1, randomBytes(16))),
        algorithm,
        issuer,
        Der.sequence(Der.time(now.minusHours(1)), Der.time(now.plus(validity))),
        subject,
        subjectPublicKeyInfo,
        Der.explicit(3, extensions));
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initSign(signer);
      ecdsa.update(tbs);
      byte[] der = Der.sequence(tbs, algorithm, Der.bitString(ecdsa.sign()));
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate with the JDK", e);
    }
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical
        ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
        : Der.sequence(Der.oid(oid), Der.octetString(value));
  }

  private static byte[] distinguishedName(String commonName) {
    return Der.sequence(
        Der.set(Der.sequence(Der.oid(ORGANIZATION), Der.utf8("graft"))),
        Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8(commonName))));
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      // getPublic().getEncoded() is the SubjectPublicKeyInfo the certificate carries as is.
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate EC P-256 keys", e);
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    b[0] &= 0x7f;
    b[0] |= 0x01; // positive and non-zero, as RFC 5280 §4.1.2.2 asks of a serial number
    return b;
  }

  private static boolean isIpLiteral(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }

  private static byte[] ipBytes(String host) {
    try {
      return InetAddress.getByName(host).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + host, e);
    }
  }
}
