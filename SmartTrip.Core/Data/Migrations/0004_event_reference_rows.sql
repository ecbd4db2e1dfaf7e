-- Event categories and types (schema.md §5.3). Rows 21-23 are the types the API accepts that the
-- original stored as page_view.

INSERT INTO event_categories (id, name, name_he, description) VALUES
    (1, 'navigation', 'ניווט',   'Page navigation and browsing events'),
    (2, 'search',     'חיפוש',   'Search and filter events'),
    (3, 'engagement', 'מעורבות', 'User engagement with content'),
    (4, 'conversion', 'המרה',    'Conversion and booking events');

INSERT INTO event_types (id, name, name_he, category_id) VALUES
    (1,  'page_view',        'צפייה בדף',          1),
    (2,  'session_start',    'תחילת סשן',          1),
    (3,  'session_end',      'סיום סשן',           1),
    (4,  'search',           'חיפוש',              2),
    (5,  'filter_change',    'שינוי פילטר',        2),
    (6,  'filter_removed',   'הסרת פילטר',         2),
    (7,  'sort_change',      'שינוי מיון',         2),
    (8,  'click_trip',       'לחיצה על טיול',      3),
    (9,  'trip_dwell_time',  'זמן שהייה בטיול',    3),
    (10, 'save_trip',        'שמירת טיול',         3),
    (11, 'unsave_trip',      'הסרת שמירה',         3),
    (12, 'share_trip',       'שיתוף טיול',         3),
    (13, 'impression',       'חשיפה',              3),
    (14, 'scroll_depth',     'עומק גלילה',         3),
    (15, 'contact_whatsapp', 'יצירת קשר וואטסאפ',  4),
    (16, 'contact_phone',    'יצירת קשר טלפון',    4),
    (17, 'contact_email',    'יצירת קשר אימייל',   4),
    (18, 'booking_start',    'התחלת הזמנה',        4),
    (19, 'booking_complete', 'השלמת הזמנה',        4),
    (20, 'inquiry_submit',   'שליחת פנייה',        4),
    (21, 'search_submit',    'שליחת חיפוש',        2),
    (22, 'results_view',     'צפייה בתוצאות',      2),
    (23, 'trip_view',        'צפייה בטיול',        3);
