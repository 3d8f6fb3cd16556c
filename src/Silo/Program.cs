using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Pcn.Abstractions.Options;
using Pcn.Hosting;

// pcn-silo: one silo of a Pcn cluster. Flags override appsettings.json and environment variables (Pcn__Silo__*).
// Exit codes: 0 stopped, 1 the machine does not allow it (a port in use, Redis unreachable), 2 invalid options.
if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(SiloCommandLine.Usage);
    return 0;
}

SiloOptions options;
WebApplicationBuilder builder;
try
{
    SiloCommandLine.Check(args);
    builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.AddCommandLine(args, SiloCommandLine.Switches);
    options = SiloOptions.Read(builder.Configuration.GetSection(SiloOptions.Section)).Validate();
}
catch (InvalidOptionException e)
{
    Console.Error.WriteLine($"pcn-silo: {e.Message}");
    return 2;
}
catch (InvalidDataException e)
{
    // appsettings.json that is not valid JSON: the file is named in the message.
    Console.Error.WriteLine($"pcn-silo: {string.Join(' ', e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))}");
    return 1;
}

try
{
    SiloPreflight.RequireFreePorts(options);
    await SiloPreflight.RequireRedisReachableAsync(options);
    builder.AddPcnSilo(options);
    WebApplication app = builder.Build();
    app.MapPcnEndpoints(options);
    await app.RunAsync();
    return 0;
}
catch (Exception e)
{
    // The checks above name what they find; anything later (Orleans or Kestrel failing to start) still ends in one line.
    string message = string.Join(' ', e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    Console.Error.WriteLine(e is IOException ? $"pcn-silo: {message}" : $"pcn-silo: the silo failed ({e.GetType().Name}): {message}");
    return 1;
}
