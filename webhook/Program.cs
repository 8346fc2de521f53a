using Parma.Webhook;

try
{
    WebhookApp.Build(args).Run();
    return 0;
}
catch (WebhookStartupException e)
{
    Console.Error.WriteLine($"Parma.Webhook: {e.Message}");
    return 2;
}
