using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Webhook.Admission;

/// <summary>Writes the AdmissionReview answer for a request uid.</summary>
public static class AdmissionReviewWriter
{
    // The patch is base64-wrapped, so HTML-safe escaping buys nothing; policy annotations are long base64 strings full of '+'.
    private static readonly JsonSerializerOptions PatchJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(string uid, AdmissionResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion", AdmissionReviewParser.ApiVersion);
            json.WriteString("kind", AdmissionReviewParser.ReviewKind);
            json.WriteStartObject("response");
            json.WriteString("uid", uid);
            json.WriteBoolean("allowed", result.Allowed);
            if (result.Patch is { Count: > 0 } patch)
            {
                json.WriteString("patchType", "JSONPatch");
                json.WriteBase64String("patch", JsonSerializer.SerializeToUtf8Bytes(patch, PatchJson));
            }

            if (result.Message is not null || result.Code is not null)
            {
                json.WriteStartObject("status");
                if (result.Code is { } code)
                {
                    json.WriteNumber("code", code);
                }

                if (result.Message is { } message)
                {
                    json.WriteString("message", message);
                }

                json.WriteEndObject();
            }

            if (result.Warnings.Count > 0)
            {
                json.WriteStartArray("warnings");
                foreach (var warning in result.Warnings)
                {
                    json.WriteStringValue(warning);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
