package io.streamvec.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A certificate authority and the PKCS12 stores a TLS test needs, made with the JDK's {@code keytool} in a
 * temporary directory: the broker's key and certificate (for {@code localhost} and 127.0.0.1, signed by the
 * CA), a client's (for mutual TLS, signed by the same CA), and a truststore that holds only the CA's
 * certificate. Every store has the same password. EC P-256 keys: quick to make.
 */
final class TestCertificates implements AutoCloseable {

    final Path directory;
    final String password;
    final Path brokerKeystore;
    final Path clientKeystore;
    final Path truststore;

    private TestCertificates(Path directory, String password) {
        this.directory = directory;
        this.password = password;
        this.brokerKeystore = directory.resolve("broker.p12");
        this.clientKeystore = directory.resolve("client.p12");
        this.truststore = directory.resolve("truststore.p12");
    }

    static TestCertificates create(String password) {
        try {
            TestCertificates certificates = new TestCertificates(Files.createTempDirectory("streamvec-tls"), password);
            certificates.make();
            return certificates;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void make() throws IOException {
        Path ca = directory.resolve("ca.p12");
        Path caCertificate = directory.resolve("ca.crt");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=streamvec test CA", "-ext", "bc:c", "-validity", "7", "-keystore", ca.toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", caCertificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(),
                "-keystore", truststore.toString());
        signedKey(ca, caCertificate, brokerKeystore, "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        signedKey(ca, caCertificate, clientKeystore, "CN=streamvec-app", null);
    }

    /** A key pair in {@code keystore} whose certificate the CA signed (the chain: it, then the CA's). */
    private void signedKey(Path ca, Path caCertificate, Path keystore, String dname, String san) throws IOException {
        String name = keystore.getFileName().toString().replace(".p12", "");
        Path request = directory.resolve(name + ".csr");
        Path certificate = directory.resolve(name + ".crt");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
                "-validity", "7", "-keystore", keystore.toString());
        keytool("-certreq", "-alias", name, "-keystore", keystore.toString(), "-file", request.toString());
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", ca.toString(),
                "-infile", request.toString(), "-outfile", certificate.toString(), "-rfc", "-validity", "7"));
        if (san != null) {
            sign.addAll(List.of("-ext", san));
        }
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(),
                "-keystore", keystore.toString());
        keytool("-importcert", "-alias", name, "-file", certificate.toString(), "-keystore", keystore.toString());
    }

    /** Runs the JDK's keytool on PKCS12 stores with the common password; fails with its output. */
    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", password));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool " + args[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
