// Log Analytics, workspace-based Application Insights, and the alerts operators act on.
param location string
param tags object
param resourceToken string
param principalId string
@description('Who is told when an alert fires; empty = no action group.')
param alertEmail string
@description('The drain-lag alert fires when the 95th percentile of the lag (acceptance to drain) exceeds this many seconds.')
param drainLagAlertSeconds int
@description('The events-set-aside alert fires when more events than this an hour are dead-lettered or poisoned.')
param setAsideAlertPerHour int

var metricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

// Local authentication is off, so the app's identity publishes telemetry with Entra ID.
resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: insights
  name: guid(insights.id, principalId, metricsPublisher)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', metricsPublisher)
  }
}

resource operators 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'smarttrip'
    enabled: true
    emailReceivers: [{ name: 'operators', emailAddress: alertEmail, useCommonAlertSchema: true }]
  }
}

var actionGroups = empty(alertEmail) ? [] : [operators.id]

// Each rule runs its query over the last 15 minutes every 5 minutes and fires when the measure passes its threshold.
var alertRules = [
  {
    name: 'server-errors'
    displayName: 'SmartTrip: more than 1 % of responses are 5xx'
    description: 'Share of 5xx responses over at least 20 requests. Look at the failed requests and their exceptions in Application Insights.'
    severity: 1
    query: '''
      requests
      | summarize total = count(), failed = countif(toint(resultCode) >= 500)
      | where total >= 20
      | extend failedPercent = 100.0 * failed / total
      '''
    measure: 'failedPercent'
    threshold: 1
  }
  {
    name: 'events-set-aside'
    displayName: 'SmartTrip: events are being set aside (dead letters or poison messages)'
    description: 'Events the database refused (event_dead_letters) or messages moved to events-poison, per hour over the last 15 minutes. See them with smarttrip dead-letters list; replay after the fix. Rows are kept Lifecycle__DeadLetterRetentionDays days.'
    severity: 2
    query: '''
      customMetrics
      | where name in ("smarttrip.events.dead_lettered", "smarttrip.queue.messages_poisoned")
      | summarize setAside = sum(valueSum)
      | extend setAsidePerHour = setAside * 4.0
      '''
    measure: 'setAsidePerHour'
    threshold: setAsideAlertPerHour
  }
  {
    name: 'drain-lag'
    displayName: 'SmartTrip: events wait too long on the queue'
    description: '95th percentile of the time from an event batch\'s acceptance to its drain, over at least 10 messages. The drain is failing or cannot keep up.'
    severity: 2
    query: '''
      requests
      | where name == "EventsDrain" and isnotempty(customDimensions["smarttrip.drain.lag"])
      | summarize messages = count(), lagP95 = percentile(todouble(customDimensions["smarttrip.drain.lag"]), 95)
      | where messages >= 10
      '''
    measure: 'lagP95'
    threshold: drainLagAlertSeconds
  }
]

resource alerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in alertRules: {
  name: 'alert-${rule.name}-${resourceToken}'
  location: location
  tags: tags
  properties: {
    displayName: rule.displayName
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [insights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: 'Maximum'
          metricMeasureColumn: rule.measure
          operator: 'GreaterThan'
          threshold: rule.threshold
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: true
    actions: { actionGroups: actionGroups }
  }
}]

output actionGroupId string = empty(alertEmail) ? '' : operators.id
output workspaceId string = logs.id
output applicationInsightsName string = insights.name
output applicationInsightsConnectionString string = insights.properties.ConnectionString
