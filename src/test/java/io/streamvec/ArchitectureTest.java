package io.streamvec;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering the package tree promises: the models know nothing of Kafka, the product knows nothing of its
 * command line or of the benchmark harness.
 */
class ArchitectureTest {

    private static JavaClasses product;

    @BeforeAll
    static void importProduct() {
        product = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.streamvec");
    }

    @Test
    void theModelsImportNoKafka() {
        ArchRule rule = noClasses()
                .that().resideInAnyPackage("io.streamvec.song2vec.model..", "io.streamvec.text.model..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.streamvec.kafka..",
                        "io.streamvec.topology..", "io.streamvec.http..", "io.streamvec.serde..",
                        "io.streamvec.song2vec.stream..", "io.streamvec.text.stream..", "io.streamvec.avro..")
                .because("the model packages hold the maths and the model runtime, apart from stream processing");
        rule.check(product);
    }

    @Test
    void nothingInTheProductImportsTheCommandLine() {
        noClasses().that().resideOutsideOfPackage("io.streamvec.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.streamvec.cli..")
                .check(product);
    }

    @Test
    void theProductDoesNotContainOrImportTheBenchmarkHarness() {
        noClasses().should().resideInAPackage("io.streamvec.bench..")
                .because("the benchmarks live in src/bench and streamvec-bench.jar")
                .check(product);
        noClasses().should().dependOnClassesThat().resideInAPackage("io.streamvec.bench..")
                .check(product);
    }

    @Test
    void streamProcessingDoesNotReachIntoServing() {
        noClasses().that().resideInAnyPackage("io.streamvec.song2vec..", "io.streamvec.text..",
                        "io.streamvec.serde..", "io.streamvec.kafka..")
                .should().dependOnClassesThat().resideInAnyPackage("io.streamvec.http..", "io.streamvec.topology..")
                .check(product);
    }
}
