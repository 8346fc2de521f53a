using System.Net;
using Polly;
using Polly.Retry;

namespace Parma.Kube.Client;

/// <summary>
/// A handler in the official client's HTTP pipeline that retries 429 and 5xx answers of idempotent
/// calls (GET, PUT, DELETE and server-side apply; never a create, a merge or a JSON patch, which may
/// have taken effect) with a Polly retry strategy: the server's Retry-After when it sends one (capped),
/// exponential backoff with jitter otherwise. The client's HttpClientTimeout bounds the whole call,
/// retries included. The last failed answer is passed on, so the caller sees its Status.
/// </summary>
public sealed class RetryHandler : DelegatingHandler
{
    private const string ApplyPatch = "application/apply-patch+yaml";
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public RetryHandler(KubeRetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _pipeline = options.MaxRetries <= 0
            ? ResiliencePipeline<HttpResponseMessage>.Empty
            : new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = options.MaxRetries,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } response && IsRetryable(response.StatusCode)),
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                        options.DelayFor(args.AttemptNumber, args.Outcome.Result is { } response ? RetryAfter(response) : null)),
                    MaxDelay = options.MaxRetryAfter > options.MaxDelay ? options.MaxRetryAfter : options.MaxDelay,
                    OnRetry = args =>
                    {
                        // The answer being retried is dropped; only the last one reaches the caller.
                        args.Outcome.Result?.Dispose();
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
    }

    public KubeRetryOptions Options { get; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!IsIdempotent(request))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // The client's request bodies are in-memory strings, so the same message can be sent again.
        return await _pipeline.ExecuteAsync(
            static async (state, token) => await state.Handler.SendInnerAsync(state.Request, token).ConfigureAwait(false),
            (Handler: this, Request: request),
            cancellationToken).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    public static bool IsRetryable(HttpStatusCode code) => (int)code == 429 || (int)code >= 500;

    public static bool IsIdempotent(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete
        || (request.Method == HttpMethod.Patch && request.Content?.Headers.ContentType?.MediaType == ApplyPatch);

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
