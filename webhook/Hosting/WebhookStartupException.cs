namespace Parma.Webhook;

/// <summary>The webhook cannot start: a bad flag, an unreadable certificate or settings file. The message says which.</summary>
public sealed class WebhookStartupException(string message, Exception? inner = null) : Exception(message, inner);
