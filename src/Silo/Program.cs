using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Pcn.Abstractions.Options;
using Pcn.Silo;

// pcn-silo: one silo of a Pcn cluster. Flags override appsettings.json and environment variables (Pcn__Silo__*).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, SiloCommandLine.Switches);
var options = new SiloOptions();
builder.Configuration.GetSection(SiloOptions.Section).Bind(options);
try
{
    options.Validate();
}
catch (InvalidOptionException e)
{
    Console.Error.WriteLine($"pcn-silo: {e.Message}");
    return 2;
}

builder.AddPcnSilo(options);
WebApplication app = builder.Build();
app.MapPcnEndpoints(options);
await app.RunAsync();
return 0;
