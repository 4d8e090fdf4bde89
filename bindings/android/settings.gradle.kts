// The Linli core as an Android library (org.linli:linli-core): the Rust library for each ABI,
// built by cargo-ndk, with its generated Kotlin bindings. Apps depend on the published AAR, or
// include this build (android-demo does: includeBuild("../bindings/android")).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "linli-android"
include(":linli-core")
