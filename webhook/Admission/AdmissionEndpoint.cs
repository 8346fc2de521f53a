using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Parma.Webhook.Groups;
using Parma.Webhook.Observability;

namespace Parma.Webhook.Admission;

/// <summary>
/// Serves one admission path: reads the AdmissionReview (bounded), runs the handler under a deadline,
/// and answers. Bodies that are not an AdmissionReview get HTTP 400 (413 when too large) with a plain
/// message, since there is no uid to answer; everything else gets a review. A handler that fails or
/// runs out of time produces a denial naming the cause, never an allowed, unstamped pod.
/// </summary>
public sealed class AdmissionEndpoint(
    IAdmissionHandler handler,
    IClusterView cluster,
    WebhookMetrics metrics,
    WebhookOptions options,
    ILogger<AdmissionEndpoint> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        if (!context.Request.IsHttps)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        AdmissionRequest request;
        using (var body = new PooledBufferWriter(BodyBufferSize(context.Request.ContentLength)))
        {
            try
            {
                await ReadBodyAsync(context, body).ConfigureAwait(false);
            }
            catch (AdmissionReviewException e)
            {
                await PlainAsync(context, StatusCodes.Status413PayloadTooLarge, e.Message, started).ConfigureAwait(false);
                return;
            }

            try
            {
                request = AdmissionReviewParser.Parse(body.WrittenSpan);
            }
            catch (AdmissionReviewException e)
            {
                await PlainAsync(context, StatusCodes.Status400BadRequest, e.Message, started).ConfigureAwait(false);
                return;
            }
        }

        var result = await DecideAsync(request, context.RequestAborted).ConfigureAwait(false);
        var outcome = !result.Allowed ? "denied" : result.Patch is { Count: > 0 } ? "patched" : "allowed";
        if (!result.Allowed)
        {
            logger.LogInformation("{Operation} denied {Kind} {Namespace}/{Name} (uid {Uid}, {Reason}): {Message}",
                handler.Operation, request.Kind, request.Namespace, request.Name, request.Uid, result.Reason, result.Message);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        using (var answer = new PooledBufferWriter(result.Patch is { Count: > 0 } ? 128 * 1024 : 1024))
        {
            AdmissionReviewWriter.Write(answer, request.Uid, result);
            context.Response.ContentLength = answer.WrittenCount;
            await context.Response.Body.WriteAsync(answer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        }

        metrics.Record(handler.Operation, outcome, Stopwatch.GetElapsedTime(started).TotalSeconds, result.Reason);
    }

    private async Task<AdmissionResult> DecideAsync(AdmissionRequest request, CancellationToken aborted)
    {
        if (handler.NeedsClusterCache && !cluster.IsSynced)
        {
            return AdmissionResult.Deny(DenialReasons.NotReady, "the Parma webhook has not loaded the ConfidentialPodGroups yet; retry in a few seconds", 503);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(options.RequestTimeout);
        try
        {
            return await handler.HandleAsync(request, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            return AdmissionResult.Deny(DenialReasons.Timeout,
                $"the Parma webhook could not decide within {options.RequestTimeout.TotalSeconds:0.#} s (resolving images or generating a policy); the request is refused rather than admitted unchecked. Retry: work in progress is kept.",
                504);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "{Operation} failed for {Kind} {Namespace}/{Name} (uid {Uid})", handler.Operation, request.Kind, request.Namespace, request.Name, request.Uid);
            return AdmissionResult.Deny(DenialReasons.InternalError,
                $"the Parma webhook failed ({e.GetType().Name}: {e.Message}); the request is refused rather than admitted unchecked", 500);
        }
    }

    /// <summary>A first buffer that holds the declared body and the final zero-byte read (bounded: the header is the client's word).</summary>
    private int BodyBufferSize(long? contentLength) =>
        (int)Math.Clamp((contentLength ?? 16 * 1024) + 1, 1024, Math.Min(options.MaxRequestBodyBytes, 1024 * 1024) + 1);

    private async Task ReadBodyAsync(HttpContext context, PooledBufferWriter body)
    {
        var limit = options.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            throw new AdmissionReviewException($"the AdmissionReview is {context.Request.ContentLength} bytes; at most {limit} are accepted");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = DrainLimit(limit);
        }

        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(body.GetMemory(), context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (body.WrittenCount + read > limit)
                {
                    // Read (and drop) a moderate excess so that the client sees the 413 instead of a reset connection.
                    while (await context.Request.Body.ReadAsync(body.GetMemory(), context.RequestAborted).ConfigureAwait(false) > 0)
                    {
                    }

                    throw new AdmissionReviewException($"the AdmissionReview exceeds {limit} bytes");
                }

                body.Advance(read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new AdmissionReviewException($"the AdmissionReview exceeds {limit} bytes");
        }
    }

    /// <summary>Bodies up to this size are read to the end before a 413; larger ones are cut off by Kestrel.</summary>
    public static long DrainLimit(long limit) => limit * 4;

    private async Task PlainAsync(HttpContext context, int status, string message, long started)
    {
        logger.LogWarning("{Operation}: refused a request body with {Status}: {Message}", handler.Operation, status, message);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted).ConfigureAwait(false);
        metrics.Record(handler.Operation, "bad_request", Stopwatch.GetElapsedTime(started).TotalSeconds, DenialReasons.BadRequest);
    }
}
