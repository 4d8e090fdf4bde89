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
rootProject.name = "linli-android-demo"
// The Linli core as the Android library app teams consume (org.linli:linli-core), built from
// this checkout: Gradle substitutes the dependency below with that build's module.
includeBuild("../bindings/android")
include(":app")
