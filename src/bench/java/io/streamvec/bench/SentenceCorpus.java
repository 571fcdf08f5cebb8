package io.streamvec.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic generator of realistic English sentences for benchmarks: event-stream-like texts
 * (product reviews, support tickets, news, music and engineering chatter) built from templates and
 * several hundred words, so that the corpus has varied vocabulary and lengths of roughly 15-40
 * word-piece tokens (mean ~25 with all-MiniLM-L6-v2's tokenizer, special tokens included). The same
 * {@code (size, seed)} always gives the same sentences.
 */
public final class SentenceCorpus {

    public static final long DEFAULT_SEED = 20240611L;

    private static final String[] PEOPLE = {
        "my neighbour", "the support engineer", "our new manager", "a customer from Lisbon", "the night shift",
        "the marketing team", "my sister", "an anonymous reviewer", "the release captain", "the data scientist",
        "a first-time buyer", "the drummer", "the landlord", "our biggest client", "the on-call developer",
        "a student in Toronto", "the city council", "the head chef", "my grandfather", "the product owner"};
    private static final String[] THINGS = {
        "wireless headphones", "coffee grinder", "streaming dashboard", "mobile app", "electric bike",
        "winter jacket", "payment service", "hiking boots", "kitchen scale", "vinyl record", "database cluster",
        "smart thermostat", "laptop battery", "train timetable", "checkout page", "noise-cancelling earbuds",
        "search index", "mechanical keyboard", "delivery van", "password reset email", "playlist",
        "weather forecast", "invoice", "monitoring alert", "garden hose", "espresso machine", "photo album",
        "subscription plan", "firmware update", "concert ticket"};
    private static final String[] ADJECTIVES = {
        "reliable", "surprisingly quiet", "slow", "expensive", "beautiful", "broken", "intuitive", "confusing",
        "lightweight", "outdated", "responsive", "fragile", "well-designed", "noisy", "affordable", "delayed",
        "excellent", "disappointing", "brand-new", "overpriced", "comfortable", "unstable", "polished",
        "complicated", "cheerful", "robust", "sluggish", "remarkable", "ordinary", "secure"};
    private static final String[] VERBS_PAST = {
        "stopped working", "arrived", "crashed", "improved", "failed", "disappeared", "was replaced",
        "came back online", "got cancelled", "was refunded", "doubled in price", "broke down",
        "started beeping", "was shipped", "recovered", "froze", "was upgraded", "ran out of memory",
        "sold out", "got stuck"};
    private static final String[] VERBS = {
        "recommend", "return", "review", "fix", "compare", "restart", "update", "replace", "test", "order",
        "cancel", "monitor", "download", "install", "share", "configure", "repair", "measure", "schedule",
        "investigate"};
    private static final String[] PLACES = {
        "in the warehouse", "at the airport", "on the second floor", "in our Berlin office", "at the stadium",
        "in the data centre", "near the station", "on the motorway", "in the staging environment",
        "at the farmers market", "in the cloud region eu-west-1", "at home", "in the recording studio",
        "on the night train", "in the hospital lobby", "at the conference"};
    private static final String[] TIMES = {
        "yesterday", "last Tuesday", "this morning", "after the update", "during the storm", "over the weekend",
        "two weeks ago", "since March", "at midnight", "before lunch", "every few minutes", "for three days",
        "right after checkout", "on Black Friday", "during peak hours", "last night"};
    private static final String[] FEELINGS = {
        "I am really happy with it", "nobody could explain why", "the whole team was frustrated",
        "it made my day", "we lost a lot of time", "honestly it exceeded my expectations",
        "I would not buy it again", "the fix took only minutes", "customers noticed immediately",
        "it still feels like magic", "the logs showed nothing unusual", "support never replied",
        "we are considering alternatives", "the price was worth it", "everyone asked for a refund",
        "my kids love it"};
    private static final String[] TOPICS = {
        "machine learning", "renewable energy", "public transport", "interest rates", "jazz history",
        "football transfers", "climate policy", "open-source licensing", "remote work", "food prices",
        "space exploration", "privacy regulation", "electric cars", "local elections", "stream processing",
        "vaccine research", "housing costs", "video games", "supply chains", "classical music"};
    private static final String[] SOURCES = {
        "A new report", "The minister", "Researchers at the university", "An industry survey", "The central bank",
        "Local residents", "Several analysts", "The festival organisers", "A leaked memo", "Critics"};
    private static final String[] CLAIMS = {
        "suggests that", "warns that", "claims that", "confirms that", "predicts that", "argues that",
        "reveals that", "doubts that"};
    private static final String[] OUTCOMES = {
        "costs will rise next year", "demand is slowing down", "the project is behind schedule",
        "most people support the plan", "the results were overstated", "adoption is growing quickly",
        "the old system will be retired", "the deadline will be extended", "prices have finally stabilised",
        "the trend will continue for a decade"};
    private static final String[] ARTISTS = {
        "Nina Simone", "Daft Punk", "Radiohead", "Aretha Franklin", "Miles Davis", "Björk", "Fela Kuti",
        "Kendrick Lamar", "Joni Mitchell", "Sigur Rós", "Caetano Veloso", "Portishead"};
    private static final String[] SYSTEMS = {
        "the Kafka consumer", "the billing API", "the nightly batch job", "the load balancer",
        "the recommendation service", "the authentication proxy", "the Postgres replica", "the CDN cache",
        "the feature store", "the mobile backend"};
    private static final String[] SYMPTOMS = {
        "timeouts", "duplicate messages", "high latency", "a memory leak", "stale results",
        "connection resets", "out-of-order events", "a spike in errors", "slow queries", "dropped requests"};

    private SentenceCorpus() {}

    /** {@code size} sentences from the default seed. */
    public static List<String> generate(int size) {
        return generate(size, DEFAULT_SEED);
    }

    public static List<String> generate(int size, long seed) {
        if (size < 0) {
            throw new IllegalArgumentException("corpus size must be >= 0, got " + size);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<String> sentences = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            sentences.add(sentence(random));
        }
        return sentences;
    }

    private static String sentence(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> capitalize(pick(r, PEOPLE)) + " said the " + pick(r, ADJECTIVES) + " " + pick(r, THINGS) + " "
                    + pick(r, VERBS_PAST) + " " + pick(r, TIMES) + ", and " + pick(r, FEELINGS) + ".";
            case 1 -> "I bought the " + pick(r, THINGS) + " " + pick(r, TIMES) + " for " + (5 + r.nextInt(495))
                    + " euros; it is " + pick(r, ADJECTIVES) + " but the " + pick(r, THINGS) + " "
                    + pick(r, VERBS_PAST) + ".";
            case 2 -> pick(r, SOURCES) + " on " + pick(r, TOPICS) + " " + pick(r, CLAIMS) + " " + pick(r, OUTCOMES)
                    + ", " + pick(r, PLACES).replaceFirst("^(in|at|on|near) ", "especially $1 ") + ".";
            case 3 -> "Since " + pick(r, TIMES).replace("since ", "") + ", " + pick(r, SYSTEMS) + " "
                    + pick(r, PLACES) + " shows " + pick(r, SYMPTOMS) + " whenever traffic exceeds "
                    + (100 + r.nextInt(9900)) + " requests per second.";
            case 4 -> "Can someone " + pick(r, VERBS) + " the " + pick(r, THINGS) + " " + pick(r, PLACES)
                    + "? It " + pick(r, VERBS_PAST) + " " + pick(r, TIMES) + " and " + pick(r, PEOPLE)
                    + " is waiting.";
            case 5 -> "This playlist mixes " + pick(r, ARTISTS) + " with " + pick(r, ARTISTS) + ", which sounds "
                    + pick(r, ADJECTIVES) + " " + pick(r, PLACES) + " " + pick(r, TIMES) + ".";
            case 6 -> "Please " + pick(r, VERBS) + " " + pick(r, SYSTEMS) + " before " + (1 + r.nextInt(11)) + " pm: "
                    + pick(r, PEOPLE) + " reported " + pick(r, SYMPTOMS) + " and " + pick(r, FEELINGS) + ".";
            default -> "We " + pick(r, VERBS) + " every " + pick(r, ADJECTIVES) + " " + pick(r, THINGS)
                    + " " + pick(r, PLACES) + ", because " + pick(r, PEOPLE) + " thinks "
                    + pick(r, OUTCOMES) + ".";
        };
    }

    private static String pick(SplittableRandom r, String[] words) {
        return words[r.nextInt(words.length)];
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
