package io.streamvec.text.model;

import java.util.ArrayList;
import java.util.List;

/** Varied texts for exactness tests: short, long (truncated past 256 tokens), 15+ languages, emoji, code, whitespace. */
final class VariedTexts {

    private VariedTexts() {}

    static List<String> all() {
        List<String> t = new ArrayList<>(List.of(
                "Hello world",
                "a",
                "The quick brown fox jumps over the lazy dog.",
                "Kafka streams process records one at a time with millisecond latency.",
                "I love this song, it reminds me of summer road trips with my friends.",
                "What is the capital of France?",
                "Paris is the capital and most populous city of France.",
                "Embedding models map sentences to dense vectors in a shared semantic space.",
                "   ",
                "",
                "\t\n",
                "!!!???...",
                "1234567890",
                "3.14159 2.71828 1.41421",
                "Das ist ein deutscher Satz über maschinelles Lernen.",
                "C'est la vie, mon ami — on verra demain.",
                "El rápido zorro marrón salta sobre el perro perezoso.",
                "Быстрая коричневая лиса прыгает через ленивую собаку.",
                "今日はいい天気ですね。散歩に行きましょう。",
                "机器学习是人工智能的一个分支。",
                "안녕하세요, 만나서 반갑습니다.",
                "مرحبا بالعالم، كيف حالك اليوم؟",
                "שלום עולם",
                "नमस्ते दुनिया, आप कैसे हैं?",
                "Ελληνικά: γεια σου κόσμε",
                "Türkçe: Çok güzel bir gün, değil mi?",
                "I'm so happy today 😀🎉🎉 let's party 🥳",
                "🔥🔥🔥",
                "👍🏽 thumbs up with skin tone, 👨‍👩‍👧‍👦 family ZWJ sequence",
                "public static void main(String[] args) { System.out.println(\"hi\"); }",
                "def f(x):\n    return [i ** 2 for i in range(x) if i % 2 == 0]",
                "SELECT id, name FROM users WHERE created_at > NOW() - INTERVAL '1 day';",
                "<html><body><div class=\"x\">Hello</div></body></html>",
                "{\"key\": [1, 2, 3], \"nested\": {\"a\": null}}",
                "https://example.com/path?query=1&other=two#fragment",
                "user@example.com wrote: see attached file report_2024-01-15.pdf",
                "ALL CAPS SENTENCE SHOUTING AT YOU",
                "mIxEd CaSe TeXt FoR tEsTiNg",
                "Supercalifragilisticexpialidocious antidisestablishmentarianism",
                "naïve café résumé coöperate façade",
                "Ünïcödé ÀÇÇÊÑTS ànd ßtrâßé",
                "zero\u200bwidth\u200bspace and non\u00a0breaking space",
                "tab\tseparated\tvalues\there",
                "line one\nline two\r\nline three",
                "word " + "repeat ".repeat(40),
                "The meeting is scheduled for 3pm on Tuesday in room 4B.",
                "Please reset my password, I cannot log in since yesterday.",
                "The new GPU drivers improved inference throughput by 30 percent.",
                "She sells sea shells by the sea shore.",
                "To be, or not to be, that is the question."));
        StringBuilder longText = new StringBuilder();
        for (int i = 0; longText.length() < 3000; i++) {
        longText.append("Sentence number ").append(i)
        .append(" talks about distributed systems, consensus protocols and stream processing. ");
        }
        t.add(longText.toString()); // > 256 tokens: truncated
        t.add("supercalifragilistic ".repeat(120)); // many word pieces, truncated
        t.add("日本語のテキスト。".repeat(80)); // long CJK, truncated
        t.add("🙂 ".repeat(300)); // unknown tokens, truncated
        t.add("x".repeat(5000)); // one huge word -> [UNK]
        t.add("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore "
        + "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi "
        + "ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse "
        + "cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in "
        + "culpa qui officia deserunt mollit anim id est laborum.");
        t.add("Short.");
        t.add("ok");
        t.add("A medium length sentence with some punctuation: commas, semicolons; and dashes - too.");
        t.add("Mixed languages: hello, bonjour, hola, 你好, こんにちは, привет.");
        return t;
    }
}
