package org.hearth.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.io.File;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code core} is pure protocol: no sockets, files, databases or threads (those belong to {@code node}), and it
 * never depends upward on {@code node} or {@code app}. The rules run over the generated protobuf classes too:
 * they pass today, so nothing is excluded.
 */
class ArchitectureTest {
    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.hearth.core");
    }

    private static void check(ArchRule rule) {
        rule.check(core);
    }

    @Test
    void coreClasses_imported_includeMainAndGeneratedCode() {
        org.assertj.core.api.Assertions.assertThat(core.containPackage("org.hearth.core.wire")).isTrue();
        org.assertj.core.api.Assertions.assertThat(core.containPackage("org.hearth.core.wire.proto")).isTrue();
        org.assertj.core.api.Assertions.assertThat(core.stream().map(c -> c.getSimpleName()))
                .contains("WireCodec", "PeerMessage").doesNotContain("ArchitectureTest");
    }

    @Test
    void core_networking_notUsed() {
        check(noClasses().that().resideInAPackage("org.hearth.core..")
                .should().dependOnClassesThat().resideInAPackage("java.net..")
                .because("sockets and URLs belong to node"));
    }

    @Test
    void core_sqlOrFiles_notUsed() {
        check(noClasses().that().resideInAPackage("org.hearth.core..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "java.nio.file..")
                .orShould().dependOnClassesThat().belongToAnyOf(File.class)
                .because("storage belongs to node"));
    }

    @Test
    void core_threadsOrExecutors_notUsed() {
        check(noClasses().that().resideInAPackage("org.hearth.core..")
                .should().dependOnClassesThat().areAssignableTo(Thread.class)
                .orShould().dependOnClassesThat().areAssignableTo(ExecutorService.class)
                .orShould().dependOnClassesThat().belongToAnyOf(Thread.class, Executors.class)
                .because("core is driven by its callers; threads belong to node"));
    }

    @Test
    void core_nodeOrApp_notDependedOn() {
        check(noClasses().that().resideInAPackage("org.hearth.core..")
                .should().dependOnClassesThat().resideInAnyPackage("org.hearth.node..", "org.hearth.app..")
                .because("dependencies point inward: app -> node -> core"));
    }
}
