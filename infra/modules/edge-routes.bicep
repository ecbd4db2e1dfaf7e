// Front Door's way to the function app: one origin (the app, its own certificate checked), one route for the API's
// paths only (/api/*: the host's /admin/* and anything else never reach the app from the internet), HTTPS only. Health
// probes read the anonymous /api/health.
param profileName string
param endpointName string
param appHostName string

resource profile 'Microsoft.Cdn/profiles@2024-02-01' existing = {
  name: profileName
}

resource endpoint 'Microsoft.Cdn/profiles/afdEndpoints@2024-02-01' existing = {
  parent: profile
  name: endpointName
}

resource functions 'Microsoft.Cdn/profiles/originGroups@2024-02-01' = {
  parent: profile
  name: 'functions'
  properties: {
    loadBalancingSettings: { sampleSize: 4, successfulSamplesRequired: 3, additionalLatencyInMilliseconds: 50 }
    healthProbeSettings: { probePath: '/api/health', probeRequestType: 'GET', probeProtocol: 'Https', probeIntervalInSeconds: 100 }
  }
}

resource app 'Microsoft.Cdn/profiles/originGroups/origins@2024-02-01' = {
  parent: functions
  name: 'function-app'
  properties: {
    hostName: appHostName
    originHostHeader: appHostName
    httpsPort: 443
    priority: 1
    weight: 1000
    enabledState: 'Enabled'
    enforceCertificateNameCheck: true
  }
}

resource route 'Microsoft.Cdn/profiles/afdEndpoints/routes@2024-02-01' = {
  parent: endpoint
  name: 'api'
  dependsOn: [app]
  properties: {
    originGroup: { id: functions.id }
    supportedProtocols: ['Https']
    patternsToMatch: ['/api/*']
    forwardingProtocol: 'HttpsOnly'
    linkToDefaultDomain: 'Enabled'
    httpsRedirect: 'Disabled'
  }
}
