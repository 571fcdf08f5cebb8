package io.streamvec.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.avro.Song;
import io.streamvec.avro.TextEvent;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConfluentSchemaRegistryClientTest {

    private FakeSchemaRegistryServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FakeSchemaRegistryServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void registersUnderTopicValueSubjectAndWritesTheRegistrysId() {
        server.preload("\"string\""); // another producer's schema takes id 1
        ConfluentSchemaRegistryClient client = new ConfluentSchemaRegistryClient(server.url() + "/");
        AvroSerde<Song> serde = new AvroSerde<>(Song.class, client);
        Song song = Song.newBuilder().setId("1").setTitle("Owner of a Lonely Heart").setArtist("Yes").build();

        byte[] first = serde.serialize("songs", song);
        byte[] second = serde.serialize("songs", song);

        assertEquals(List.of(2), server.subjects.get("songs-value"));
        assertEquals(2, ByteBuffer.wrap(first, 1, 4).getInt());
        assertEquals(1, server.requests.stream().filter(r -> r.startsWith("POST")).count(), "registration is cached");
        assertEquals(song, new AvroSerde<>(Song.class, new ConfluentSchemaRegistryClient(server.url()))
                .deserialize("songs", second));
    }

    @Test
    void fetchesWriterSchemaByIdOnceAndCachesIt() {
        int id = server.preload(Song.getClassSchema().toString());
        ConfluentSchemaRegistryClient client = new ConfluentSchemaRegistryClient(server.url());
        assertEquals(Song.getClassSchema(), client.schemaById(id));
        assertEquals(Song.getClassSchema(), client.schemaById(id));
        assertEquals(List.of("GET /schemas/ids/" + id), server.requests);
    }

    @Test
    void unknownIdIsAPermanentErrorWithTheRegistrysMessage() {
        ConfluentSchemaRegistryClient client = new ConfluentSchemaRegistryClient(server.url());
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(99));
        assertTrue(e.getMessage().contains("HTTP 404") && e.getMessage().contains("Schema 99 not found"), e.getMessage());
        assertFalse(e.isTransient());
    }

    @Test
    void serverErrorsAndUnreachableRegistriesAreTransient() throws Exception {
        server.failWithStatus = 503;
        ConfluentSchemaRegistryClient client = new ConfluentSchemaRegistryClient(server.url());
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> client.register("text-events-value", TextEvent.getClassSchema()));
        assertTrue(e.isTransient());
        assertTrue(e.getMessage().contains("induced failure"), e.getMessage());

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ConfluentSchemaRegistryClient unreachable =
                new ConfluentSchemaRegistryClient("http://127.0.0.1:" + closedPort, Duration.ofSeconds(2));
        SchemaRegistryException down = assertThrows(SchemaRegistryException.class, () -> unreachable.schemaById(1));
        assertTrue(down.isTransient());
        assertTrue(down.getMessage().contains("unreachable"), down.getMessage());
    }

    @Test
    void authenticationFailuresAreNotTheRecordsFault() {
        for (int status : new int[] {401, 403, 408}) {
            server.failWithStatus = status;
            SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                    () -> new ConfluentSchemaRegistryClient(server.url()).schemaById(1));
            assertTrue(e.isTransient(), "HTTP " + status + " must fail the task, not dead-letter the record");
        }
    }

    @Test
    void rejectsANonAvroSchemaAndBadUrls() {
        assertThrows(IllegalArgumentException.class, () -> new ConfluentSchemaRegistryClient("ftp://x"));
        assertThrows(IllegalArgumentException.class, () -> new ConfluentSchemaRegistryClient("http://a b"));
    }

    @Test
    void describeNeverShowsCredentials() {
        ConfluentSchemaRegistryClient client = new ConfluentSchemaRegistryClient("http://user:secret@127.0.0.1:8081");
        assertFalse(client.describe().contains("secret"), client.describe());
    }

    @Test
    void userInfoIsSentAsBasicAuthenticationAndNeverInTheRequestUri() {
        int id = server.preload(Song.getClassSchema().toString());
        String url = server.url().replace("http://", "http://reg%40user:p%3Ass%20w@");
        assertEquals(Song.getClassSchema(), new ConfluentSchemaRegistryClient(url).schemaById(id));
        String expected = "Basic " + java.util.Base64.getEncoder().encodeToString(
                "reg@user:p:ss w".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(List.of(expected), server.authorizations);
        assertEquals(List.of("GET /schemas/ids/" + id), server.requests);

        new ConfluentSchemaRegistryClient(server.url()).schemaById(id);
        assertEquals("none", server.authorizations.get(1), "no user info, no Authorization header");
    }

    @Test
    void errorsNeverShowCredentials() {
        for (String url : new String[] {"http://user:s3cr3t@bad host:8081", "http://user:s3cr3t@schema_registry:8081",
                "http://user:s3cr3t@[::1:8081", "http://user:s3cr3t@"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ConfluentSchemaRegistryClient(url), url);
            assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
            assertTrue(e.getMessage().contains("schema.registry.url"), e.getMessage());
        }
        server.failWithStatus = 401;
        ConfluentSchemaRegistryClient client =
                new ConfluentSchemaRegistryClient(server.url().replace("http://", "http://user:s3cr3t@"));
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(1));
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }
}
