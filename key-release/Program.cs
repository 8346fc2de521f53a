using Parma.KeyRelease.Hosting;

// The key-release service's container entry point. It runs on the tenant's infrastructure, outside the cluster whose
// groups it serves: parma-key-release --config FILE [--urls URL]. Everything else lives in lib/Parma.KeyRelease.
KeyReleaseServerOptions options;
try
{
    options = KeyReleaseServerOptions.Parse(args, Environment.GetEnvironmentVariable("PARMA_KEY_RELEASE_CONFIG"));
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"parma-key-release: {e.Message}\n{KeyReleaseServerOptions.Usage}");
    return 2;
}

return await KeyReleaseServer.RunAsync(options, Console.Error);
