using Parma.Operator.Controller;

namespace Parma.Operator.Tests;

public sealed class WorkQueueTests
{
    [Fact]
    public async Task A_key_added_many_times_is_queued_once()
    {
        using var queue = new WorkQueue();
        queue.Add("ns/a");
        queue.Add("ns/a");
        queue.Add("ns/b");
        queue.Add("ns/a");

        queue.Depth.Should().Be(2);
        (await queue.GetAsync()).Should().Be("ns/a");
        (await queue.GetAsync()).Should().Be("ns/b");
        queue.Depth.Should().Be(0);
    }

    [Fact]
    public async Task A_key_being_processed_is_not_handed_out_again_until_done()
    {
        using var queue = new WorkQueue();
        queue.Add("ns/a");
        var key = await queue.GetAsync();

        queue.Add("ns/a");
        queue.Depth.Should().Be(0, "the key is being processed: the add is remembered, not queued");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var second = () => queue.GetAsync(timeout.Token);
        await second.Should().ThrowAsync<OperationCanceledException>();

        queue.Done(key!);
        queue.Depth.Should().Be(1);
        (await queue.GetAsync()).Should().Be("ns/a");
    }

    [Fact]
    public async Task Shutdown_stops_handing_out_keys()
    {
        using var queue = new WorkQueue();
        var waiting = queue.GetAsync();
        queue.ShutDown();
        (await waiting).Should().BeNull();
        queue.Add("ns/a");
        queue.Depth.Should().Be(0);
    }

    [Fact]
    public async Task Retries_back_off_exponentially_per_key_and_forget_resets()
    {
        var backoff = new ItemBackoff(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        backoff.Next("k").Should().Be(TimeSpan.FromMilliseconds(5));
        backoff.Next("k").Should().Be(TimeSpan.FromMilliseconds(10));
        backoff.Next("k").Should().Be(TimeSpan.FromMilliseconds(20));
        backoff.Next("other").Should().Be(TimeSpan.FromMilliseconds(5), "backoff is per key");
        for (var i = 0; i < 40; i++)
        {
            backoff.Next("k");
        }

        backoff.Next("k").Should().Be(TimeSpan.FromSeconds(1000), "capped");
        backoff.Forget("k");
        backoff.Next("k").Should().Be(TimeSpan.FromMilliseconds(5));

        using var queue = new WorkQueue(backoff);
        queue.AddRateLimited("late");
        (await queue.GetAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token)).Should().Be("late");
    }

    [Fact]
    public void The_overall_bucket_spaces_retries_once_the_burst_is_spent()
    {
        var bucket = new TokenBucket(tokensPerSecond: 10, burst: 2, new FrozenTime());
        bucket.Reserve().Should().Be(TimeSpan.Zero);
        bucket.Reserve().Should().Be(TimeSpan.Zero);
        bucket.Reserve().Should().Be(TimeSpan.FromMilliseconds(100));
        bucket.Reserve().Should().Be(TimeSpan.FromMilliseconds(200));
    }

    private sealed class FrozenTime : TimeProvider
    {
        private readonly DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
