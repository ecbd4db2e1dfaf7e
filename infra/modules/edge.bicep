// The edge in front of the function app: Azure Front Door (Standard) with a WAF policy whose rate-limit rules bound
// what one client address can send, per minute (decision 0009): every request, the anonymous writes, the searches and
// health. Paths are matched URL-decoded and lower-cased, so /api/%65vents/batch counts as /api/events/batch. The WAF's
// log goes to Log Analytics. The routes to the app (only /api/*) are added by edge-routes.bicep once the app exists;
// the app accepts traffic from this profile only (its X-Azure-FDID).
param tags object
param resourceToken string
@description('Most requests a minute one address may send, whatever their method and path.')
param requestsPerMinute int
@description('Most POSTs a minute one address may send to events, events/batch, session/start and user/identify.')
param trackingWritesPerMinute int
@description('Most recommendation searches a minute one address may send.')
param searchesPerMinute int
@description('Most health requests a minute one address may send.')
param healthChecksPerMinute int
@description('The Log Analytics workspace that keeps the WAF\'s and Front Door\'s logs.')
param workspaceId string

// URL-decoded then lower-cased, as the app's routing sees the path.
var pathTransforms = ['UrlDecode', 'Lowercase']

resource profile 'Microsoft.Cdn/profiles@2024-02-01' = {
  name: 'afd-${resourceToken}'
  location: 'global'
  tags: tags
  sku: { name: 'Standard_AzureFrontDoor' }
}

resource endpoint 'Microsoft.Cdn/profiles/afdEndpoints@2024-02-01' = {
  parent: profile
  name: 'api-${resourceToken}'
  location: 'global'
  tags: tags
  properties: { enabledState: 'Enabled' }
}

resource waf 'Microsoft.Network/FrontDoorWebApplicationFirewallPolicies@2024-02-01' = {
  name: 'waf${resourceToken}'
  location: 'global'
  tags: tags
  sku: { name: 'Standard_AzureFrontDoor' }
  properties: {
    policySettings: { enabledState: 'Enabled', mode: 'Prevention', customBlockResponseStatusCode: 429 }
    customRules: {
      rules: [
        {
          name: 'AllRequests'
          priority: 5
          enabledState: 'Enabled'
          ruleType: 'RateLimitRule'
          rateLimitDurationInMinutes: 1
          rateLimitThreshold: requestsPerMinute
          groupBy: [{ variableName: 'SocketAddr' }]
          matchConditions: [
            // Every request: an address is any address (the operator negated matches nothing).
            { matchVariable: 'SocketAddr', operator: 'IPMatch', negateCondition: true, matchValue: ['255.255.255.255/32'] }
          ]
          action: 'Block'
        }
        {
          name: 'TrackingWrites'
          priority: 10
          enabledState: 'Enabled'
          ruleType: 'RateLimitRule'
          rateLimitDurationInMinutes: 1
          rateLimitThreshold: trackingWritesPerMinute
          groupBy: [{ variableName: 'SocketAddr' }]
          matchConditions: [
            { matchVariable: 'RequestMethod', operator: 'Equal', matchValue: ['POST'] }
            {
              matchVariable: 'RequestUri'
              operator: 'Contains'
              transforms: pathTransforms
              matchValue: ['/api/events', '/api/session/start', '/api/user/identify']
            }
          ]
          action: 'Block'
        }
        {
          name: 'Searches'
          priority: 20
          enabledState: 'Enabled'
          ruleType: 'RateLimitRule'
          rateLimitDurationInMinutes: 1
          rateLimitThreshold: searchesPerMinute
          groupBy: [{ variableName: 'SocketAddr' }]
          matchConditions: [
            { matchVariable: 'RequestMethod', operator: 'Equal', matchValue: ['POST'] }
            { matchVariable: 'RequestUri', operator: 'Contains', transforms: pathTransforms, matchValue: ['/api/v2/recommendations'] }
          ]
          action: 'Block'
        }
        {
          name: 'HealthChecks'
          priority: 30
          enabledState: 'Enabled'
          ruleType: 'RateLimitRule'
          rateLimitDurationInMinutes: 1
          rateLimitThreshold: healthChecksPerMinute
          groupBy: [{ variableName: 'SocketAddr' }]
          matchConditions: [
            { matchVariable: 'RequestMethod', operator: 'Equal', matchValue: ['GET'] }
            { matchVariable: 'RequestUri', operator: 'Contains', transforms: pathTransforms, matchValue: ['/api/health'] }
          ]
          action: 'Block'
        }
      ]
    }
  }
}

resource security 'Microsoft.Cdn/profiles/securityPolicies@2024-02-01' = {
  parent: profile
  name: 'rate-limits'
  properties: {
    parameters: {
      type: 'WebApplicationFirewall'
      wafPolicy: { id: waf.id }
      associations: [{ domains: [{ id: endpoint.id }], patternsToMatch: ['/*'] }]
    }
  }
}

resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: profile
  name: 'to-log-analytics'
  properties: {
    workspaceId: workspaceId
    logs: [
      { category: 'FrontDoorWebApplicationFirewallLog', enabled: true }
      { category: 'FrontDoorAccessLog', enabled: true }
    ]
  }
}

output profileName string = profile.name
output endpointName string = endpoint.name
output frontDoorId string = profile.properties.frontDoorId
output hostName string = endpoint.properties.hostName
