namespace Parma.Operator.Tests.Support;

/// <summary>Polls a condition until it holds or a timeout passes (no fixed sleeps in tests).</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                last = e;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Timed out waiting for {what}." + (last is null ? "" : $" Last error: {last.Message}"));
    }

    public static async Task TrueAsync(Func<Task<bool>> probe, string what, TimeSpan? timeout = null) =>
        await GetAsync<object>(async () => await probe() ? new object() : null, what, timeout);
}
