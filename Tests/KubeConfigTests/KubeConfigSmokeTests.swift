import Testing
@testable import KubeConfig

@Test func KubeConfigModuleLinks() {
    #expect(Bool(true))
}
