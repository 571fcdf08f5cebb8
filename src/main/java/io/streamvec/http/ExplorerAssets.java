package io.streamvec.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The explorer page's files, served from the jar ({@code src/main/resources/io/streamvec/explorer/}): {@code /} is
 * the page, {@code /assets/NAME} its script and style sheet. Only the listed paths exist (no file system, no
 * path resolution, so no traversal); each is read once, with its content type and an ETag (a hash of its bytes).
 * Every answer carries a strict Content-Security-Policy: scripts, styles and requests to this origin only, no
 * inline script, no frames.
 */
final class ExplorerAssets {

    /** What every explorer answer may load: its own scripts and styles, its own routes; nothing inline. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** A file: its bytes, content type and ETag. */
    record Asset(String path, byte[] bytes, String contentType, String etag) {}

    private static final Map<String, Asset> ASSETS = Map.of(
            "/", load("/", "index.html", "text/html; charset=utf-8"),
            "/assets/explorer.js", load("/assets/explorer.js", "explorer.js", "text/javascript; charset=utf-8"),
            "/assets/explorer.css", load("/assets/explorer.css", "explorer.css", "text/css; charset=utf-8"),
            "/favicon.ico", load("/favicon.ico", "favicon.svg", "image/svg+xml"));

    private ExplorerAssets() {}

    /** Whether a request for this (raw) path is the explorer's to answer: {@code /}, {@code /assets/...}, the icon. */
    static boolean owns(String rawPath) {
        return "/".equals(rawPath) || "/favicon.ico".equals(rawPath) || (rawPath != null && rawPath.startsWith("/assets/"));
    }

    /** The file at this exact raw path; empty for any other (an unknown name, dot segments, encoded characters). */
    static Optional<Asset> find(String rawPath) {
        return Optional.ofNullable(ASSETS.get(rawPath));
    }

    /** Every file (for tests and the size check). */
    static Iterable<Asset> all() {
        return ASSETS.values();
    }

    private static Asset load(String path, String name, String contentType) {
        String resource = "/io/streamvec/explorer/" + name;
        try (InputStream in = ExplorerAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the explorer file " + resource + " is missing from the jar");
            }
            byte[] bytes = in.readAllBytes();
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            return new Asset(path, bytes, contentType, "\"" + HexFormat.of().formatHex(hash, 0, 12) + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the explorer file " + resource, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
