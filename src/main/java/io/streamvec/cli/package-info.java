/** The command line: {@code java -jar streamvec.jar demo|run|tokenize|topology}, with picocli. */
package io.streamvec.cli;
